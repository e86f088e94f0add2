// A consumer's app of its own for the delivery tests: plain cdk8s objects, no app chart of this
// library, so the render is tested without the layers above it.
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { DeliveryApp, DeliveryAppProps } from '../../src/delivery/delivery-app';

export const SHOP_PROPS: DeliveryAppProps = {
  packageName: '@shop/deploy',
  packageVersion: '2.3.4',
  annotationDomain: 'shop.example.com',
  repoUrl: 'https://git.example.com/shop/deploy.git',
};

/** A consumer's chart made of plain objects: a web Deployment and Service, and a ConfigMap without a component. */
export function shopChart(app: App, id: string, version: string): Chart {
  const chart = new Chart(app, id, {
    namespace: `shop-${id}`,
    disableResourceNameHashes: true,
    labels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/version': version },
  });
  const labels = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'web' };
  new k8s.KubeDeployment(chart, 'web', {
    metadata: { name: 'web', labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: `registry.example.com/shop/web:${version}` }] } } },
  });
  new k8s.KubeService(chart, 'web-service', { metadata: { name: 'web', labels }, spec: { selector: labels, ports: [{ port: 80 }] } });
  new k8s.KubeConfigMap(chart, 'settings', { metadata: { name: 'settings' }, data: { LOG_LEVEL: 'info' } });
  return chart;
}

export function shopApp(outdir: string, props: DeliveryAppProps = SHOP_PROPS, charts: [string, string][] = [['staging', '1.5.0'], ['production', '1.4.0']]): DeliveryApp {
  const app = new DeliveryApp({ ...props, outdir, argoCd: { ...props.argoCd } });
  for (const [id, version] of charts) shopChart(app, id, version);
  return app;
}
