// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_guest's PCI glue: the VMMDev function (80ee:cafe), its ports, its
 * VMMDevMemory area (whose "have events" byte tells a shared interrupt
 * line whether it is ours), and module parameters none.
 */
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "vg.h"

static irqreturn_t vg_irq(int irq, void *data)
{
	struct vg_dev *dev = data;

	if (!ioread8(dev->mmio + offsetof(struct vmmdev_memory, have_events)))
		return IRQ_NONE;
	/* Not acknowledged: the kernel's spurious-line check may step in. */
	return vg_core_isr(dev) ? IRQ_HANDLED : IRQ_NONE;
}

static void vg_dev_free(struct kref *ref)
{
	kfree(container_of(ref, struct vg_dev, ref));
}

void vg_dev_put(struct vg_dev *dev)
{
	kref_put(&dev->ref, vg_dev_free);
}

static int vg_map(struct vg_dev *dev)
{
	struct pci_dev *pdev = dev->pdev;
	u32 size, version;

	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_IO) ||
	    pci_resource_len(pdev, 0) < VMMDEV_PORT_SIZE ||
	    !(pci_resource_flags(pdev, 1) & IORESOURCE_MEM))
		return -ENODEV;
	dev->io = pci_resource_start(pdev, 0);
	/* Both BARs were requested and mapped by pcim_iomap_regions(). */
	dev->mmio = pcim_iomap_table(pdev)[1];
	if (!dev->mmio)
		return -ENOMEM;
	size = ioread32(dev->mmio + offsetof(struct vmmdev_memory, size));
	version = ioread32(dev->mmio + offsetof(struct vmmdev_memory, version));
	if (version != VMMDEV_MEMORY_VERSION ||
	    size < sizeof(struct vmmdev_memory) ||
	    size > pci_resource_len(pdev, 1)) {
		dev_err(&pdev->dev, "VMMDevMemory version %u, size %u: not one this driver knows\n",
			version, size);
		return -ENODEV;
	}
	return 0;
}

static int vg_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vg_dev *dev;
	int ret;

	/* Not devres's: open files may hold it past the unbind. */
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->ref);
	init_rwsem(&dev->io_lock);
	dev->pdev = pdev;
	spin_lock_init(&dev->event_lock);
	init_waitqueue_head(&dev->event_wq);
	init_waitqueue_head(&dev->hgcm_wq);
	mutex_init(&dev->session_lock);
	ret = pcim_enable_device(pdev);
	if (!ret)
		ret = pcim_iomap_regions(pdev, BIT(0) | BIT(1), VG_NAME);
	if (!ret)
		ret = vg_map(dev);
	if (!ret)
		ret = vg_core_init(dev);
	if (ret)
		goto err_put;
	ret = request_irq(pdev->irq, vg_irq, IRQF_SHARED, VG_NAME, dev);
	if (ret)
		goto err_core;
	ret = vg_misc_register(dev);
	if (ret)
		goto err_irq;
	pci_set_drvdata(pdev, dev);
	dev_info(&pdev->dev, "VMMDev ready: /dev/%s\n", dev->misc.name);
	return 0;

err_irq:
	free_irq(pdev->irq, dev);
err_core:
	vg_core_exit(dev);
err_put:
	vg_dev_put(dev);
	return ret;
}

/*
 * Unbind, also while files are open (sysfs, a hot remove): they are
 * told the device is gone, their waits end, the ioctls in flight are
 * waited out; the files keep the structure until they close.
 */
static void vg_remove(struct pci_dev *pdev)
{
	struct vg_dev *dev = pci_get_drvdata(pdev);

	WRITE_ONCE(dev->gone, true);
	wake_up_all(&dev->hgcm_wq);
	wake_up_all(&dev->event_wq);
	down_write(&dev->io_lock);
	vg_misc_deregister(dev);
	free_irq(pdev->irq, dev);
	vg_core_exit(dev);
	up_write(&dev->io_lock);
	dev_info(&pdev->dev, "VMMDev released\n");
	vg_dev_put(dev);
}

static const struct pci_device_id vg_ids[] = {
	{ PCI_DEVICE(VMMDEV_VENDOR_ID, VMMDEV_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vg_ids);

static struct pci_driver vg_driver = {
	.name = VG_NAME,
	.id_table = vg_ids,
	.probe = vg_probe,
	.remove = vg_remove,
};
module_pci_driver(vg_driver);

MODULE_DESCRIPTION("Vireo's guest driver for VMMDev (VirtualBox's host/guest device)");
MODULE_LICENSE("GPL");
